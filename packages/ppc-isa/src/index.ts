// @hvsim/ppc-isa — public API. (A Power ISA v3.0 CPU: table-driven decoder, disassembler (GNU objdump syntax), assembler (GNU as syntax), interpreter with the HV and non-HV interrupt model, timebase/DEC/HDEC and stop/PSSCR.)
// Filled by its issue; see README.md.
export {};
