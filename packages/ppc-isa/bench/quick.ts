import { readFileSync } from "node:fs";
import { Cpu, FlatRamBus, PseriesConsole } from "../src/index";
const file = process.argv[2]!;
const max = Number(process.argv[3] ?? 4e8);
const bus = new FlatRamBus(16 << 20);
bus.loadImage(0, new Uint8Array(readFileSync(file)));
const con = new PseriesConsole(bus);
const cpu = new Cpu({ bus, vhyp: con });
con.attach(cpu);
cpu.pc = 0x100n;
cpu.msr = 0x8000000000001000n;
const t0 = process.hrtime.bigint();
const stop = cpu.run(max);
const dt = Number(process.hrtime.bigint() - t0) / 1e9;
console.log(
  JSON.stringify(stop),
  JSON.stringify(con.output),
  cpu.icount,
  (cpu.icount / dt / 1e6).toFixed(1),
  "MIPS",
  "pc=" + cpu.pc.toString(16),
);
