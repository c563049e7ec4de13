// expect-kind: timeout
for (;;) {}
