// @hvsim/fdt — public API. (Flattened device tree (DTB v17) builder and parser with typed errors.)
// Filled by its issue; see README.md.
export {};
