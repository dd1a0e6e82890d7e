// "KVM" on the simulated host: host memory, the partition table (PTCR), the LPID pool, and the
// ioctl-level API (checkExtension, createVm).
import {
  KVM_CAP_PPC_ENABLE_HCALL,
  KVM_CAP_PPC_MMU_RADIX,
  KVM_CAP_PPC_NESTED_HV,
  KVM_CAP_PPC_RPT_INVALIDATE,
  KVM_CAP_PPC_MMU_HASH_V3,
  KVM_CAP_PPC_PAPR,
  KVM_CAP_PPC_RTAS,
  KVM_CAP_PPC_IRQ_XIVE,
  KVM_CAP_IRQ_XICS,
} from "@hvsim/hcall-abi";
import { BumpAllocator, createPartitionTable } from "@hvsim/radix-mmu";
import type { PartitionTable } from "@hvsim/radix-mmu";
import { HostMemory } from "./host-memory";
import { LpidAllocator } from "./lpid-allocator";
import { KVM_DEV_TYPE_XIVE, Vm } from "./vm";
import type { VmOptions } from "./vm";

/** What the simulated host offers; decides which caps can be honoured, nothing guest-visible. */
export interface HostModel {
  /** The host processor revision. On DD2.2 a guest `stop` traps to the hypervisor (which
   *  emulates it); on DD2.3 it idles natively. Guests see the same behaviour on both. */
  readonly cpu: "POWER9 DD2.2" | "POWER9 DD2.3";
  /** The host KVM implements H_RPT_INVALIDATE (KVM_CAP_PPC_RPT_INVALIDATE). */
  readonly rptInvalidate: boolean;
  /** The host KVM can run nested guest hypervisors (KVM_CAP_PPC_NESTED_HV). */
  readonly nestedHv: boolean;
  /**
   * This KVM itself runs in a pseries partition (a nested L1's KVM, kvmhv_on_pseries()):
   * there is no XIVE to give its guests, so KVM_CAP_PPC_IRQ_XIVE reads 0 and creating the
   * XIVE native device fails with ENODEV; its XICS device is a plain emulated XICS. Default
   * false (KVM on a POWER9 host, with XIVE).
   */
  readonly onPseries?: boolean;
}

export const DEFAULT_HOST: HostModel = { cpu: "POWER9 DD2.3", rptInvalidate: true, nestedHv: true };

export interface KvmOptions {
  /** Host physical address space in bytes (sparse; default 1 TiB). */
  hostBytes?: number;
  /**
   * The host memory to use instead of a fresh `HostMemory(hostBytes)`: a subclass that watches
   * every access (kvm-nested's `IsolationChecker.memory` checks each one against the memslots
   * of the VM it is made for). Every table, VM and vCPU of this Kvm lives in it.
   */
  hostMemory?: HostMemory;
  host?: HostModel;
}

/** Host memory layout: [16 MiB, 4 GiB) page-table pages, guest RAM from 4 GiB up. */
const TABLES_BASE = 0x1000000;
const TABLES_LIMIT = 0x100000000;
const GUEST_RAM_BASE = 0x100000000;
/** PATS 4: a 64 KiB partition table, 4096 LPIDs. */
const PATS = 4;

export class Kvm {
  readonly mem: HostMemory;
  readonly host: HostModel;
  readonly partitionTable: PartitionTable;
  readonly lpids: LpidAllocator;
  private readonly tableAlloc: BumpAllocator;
  private nextRam = GUEST_RAM_BASE;

  constructor(opts: KvmOptions = {}) {
    if (
      opts.hostMemory !== undefined &&
      opts.hostBytes !== undefined &&
      opts.hostBytes !== opts.hostMemory.size
    ) {
      throw new Error(
        `hostBytes 0x${opts.hostBytes.toString(16)} differs from the given hostMemory's size 0x${opts.hostMemory.size.toString(16)}: give one of them`,
      );
    }
    this.mem = opts.hostMemory ?? new HostMemory(opts.hostBytes ?? 2 ** 40);
    this.host = opts.host ?? DEFAULT_HOST;
    this.tableAlloc = new BumpAllocator(this.mem, TABLES_BASE, TABLES_LIMIT);
    this.partitionTable = createPartitionTable(this.mem, this.tableAlloc, PATS);
    this.lpids = new LpidAllocator(2 ** (PATS + 8));
  }

  /** KVM_CHECK_EXTENSION. */
  checkExtension(cap: number): number {
    switch (cap) {
      case KVM_CAP_PPC_MMU_RADIX:
      case KVM_CAP_PPC_PAPR:
      case KVM_CAP_PPC_ENABLE_HCALL:
      case KVM_CAP_PPC_RTAS:
        return 1;
      case KVM_CAP_PPC_NESTED_HV:
        return this.host.nestedHv ? 1 : 0;
      case KVM_CAP_PPC_RPT_INVALIDATE:
        return this.host.rptInvalidate ? 1 : 0;
      case KVM_CAP_IRQ_XICS:
        // The XICS device (XICS-on-XIVE on a POWER9 host, an emulated XICS in a nested L1).
        return 1;
      case KVM_CAP_PPC_IRQ_XIVE:
        // XIVE native exploitation needs a XIVE to hand out: false for a nested L1's guests.
        return this.host.onPseries === true ? 0 : 1;
      case KVM_CAP_PPC_MMU_HASH_V3:
        return 0;
      default:
        return 0;
    }
  }

  /** Reserve host memory for guest RAM (QEMU's anonymous mapping); sparse, so free until used. */
  allocGuestRam(size: number): number {
    const aligned = Math.ceil(size / 0x10000) * 0x10000;
    const base = this.nextRam;
    if (base + aligned > this.mem.size) {
      throw new Error(
        `host memory exhausted: 0x${aligned.toString(16)} bytes of guest RAM do not fit (use a larger hostBytes)`,
      );
    }
    this.nextRam += aligned;
    return base;
  }

  /** KVM_CREATE_VM (radix). */
  createVm(opts: VmOptions = {}): Vm {
    const lpid = this.lpids.alloc();
    return new Vm(
      lpid,
      {
        mem: this.mem,
        partitionTable: this.partitionTable,
        tableAlloc: this.tableAlloc,
        guestStopTraps: this.host.cpu === "POWER9 DD2.2",
        irqchipUnavailable: (type) =>
          type === KVM_DEV_TYPE_XIVE && this.checkExtension(KVM_CAP_PPC_IRQ_XIVE) === 0
            ? "the XIVE native device does not exist in this KVM (it runs in a pseries partition: no XIVE for its guests, KVM_CAP_PPC_IRQ_XIVE is 0)"
            : undefined,
        freeLpid: (l) => this.lpids.free(l),
        allocLpid: () => {
          try {
            return this.lpids.alloc();
          } catch {
            return undefined;
          }
        },
      },
      opts,
    );
  }
}
