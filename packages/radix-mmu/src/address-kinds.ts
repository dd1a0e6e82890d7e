// Address kinds at the builder boundary (DESIGN §6.3), as "soft" brands: a phantom optional
// property that no value carries. A plain number is accepted where a kind is expected, so
// callers that compute addresses (kvm-hv-core, the tests) need no casts, but a value already
// typed as one kind is rejected where another is expected (an `RA` passed as a tree address,
// a `Pid` as an `Lpid`). The CPU <-> MMU contract (contract.ts) keeps plain numbers: its 64-bit
// EAs travel as hi/lo halves and must stay identical to ppc-isa's port.
declare const addressKind: unique symbol;

/** Effective address (for a process-scoped tree: the EA without its quadrant bits 0:1). */
export type EA = number & { readonly [addressKind]?: "EA" };
/** Host real address (what the partition-scoped walk, or a host process tree, yields). */
export type RA = number & { readonly [addressKind]?: "RA" };
/** Guest real address (a guest's process tree yields it; a partition-scoped tree takes it). */
export type GPA = number & { readonly [addressKind]?: "GPA" };
/** Logical partition id (LPIDR, PATE index). */
export type Lpid = number & { readonly [addressKind]?: "Lpid" };
/** Process id (PIDR, PRTE index). */
export type Pid = number & { readonly [addressKind]?: "Pid" };

/** What a radix tree translates: an EA (process-scoped) or a guest real address (partition). */
export type TreeInput = EA | GPA;
/** Where a tree's leaves and tables point: host real, or guest real for a guest's process tree. */
export type TreeOutput = RA | GPA;
