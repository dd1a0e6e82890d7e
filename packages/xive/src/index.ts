// @hvsim/xive — public API. (XIVE interrupt controller (ESB/PQ, EAS, END queues, NVT, TIMA), the XICS interface over it and the sPAPR H_INT_* / XICS hcall semantics.)
// Filled by its issue; see README.md.
export {};
