// expect-kind: runtime
await import("fs");
