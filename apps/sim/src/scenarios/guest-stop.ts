import type { Scenario } from "./scenario";

export const guestStop: Scenario = {
  name: "guest-stop-dd22-vs-dd23",
  title: "A guest `stop` behaves the same on POWER9 DD2.2 and DD2.3 hosts",
  explanation:
    "Seed 4: POWER9 DD2.2 cannot let a guest execute `stop` natively, DD2.3 can. KVM does not " +
    "advertise a different capability on each (never present capabilities based on host " +
    "capability): on DD2.2 it sets PSSCR[ESL|EC] so the guest's `stop` raises Hypervisor " +
    "Facility Unavailable (cause 9), and emulates the wake-up. The guest cannot tell the hosts " +
    "apart, so it can also migrate between them.",
  lookAt:
    "the console output is identical on both hosts and across the migration; only --stats on " +
    "DD2.2 shows the 'guest stop ... emulated after HFU' line.",
  steps: (guests) => {
    const stop = ["run", "-M", "pseries", "-m", "512M", "-kernel", `${guests}/stop/stop.elf`];
    return [
      {
        says: "on a DD2.3 host the guest's stop idles natively",
        argv: [...stop, "--host", "power9-dd2.3", "--stats"],
        expect: {
          status: 0,
          output: ["stop: idled in the guest, no program interrupt"],
          absent: ["emulated after HFU"],
        },
      },
      {
        says: "on a DD2.2 host L0 emulates each stop after HFU; the guest prints the same",
        argv: [...stop, "--host", "power9-dd2.2", "--stats"],
        expect: {
          status: 0,
          output: ["guest stop       3 emulated after HFU (host POWER9 DD2.2)"],
          sameStdoutAs: 0,
        },
      },
      {
        says: "paused on DD2.2 and migrated to DD2.3 mid-run: the guest still prints the same",
        argv: [
          ...["migrate", "--at", "1500000", "--to", "power9-dd2.3", "--"],
          ...stop.slice(1),
          ...["--host", "power9-dd2.2"],
        ],
        expect: {
          status: 0,
          output: [
            /hvsim: migrated at instruction 1500000 \(snapshot \d+ KiB\) from host power9-dd2\.2,.* to power9-dd2\.3,/,
          ],
          sameStdoutAs: 0,
        },
      },
    ];
  },
};
