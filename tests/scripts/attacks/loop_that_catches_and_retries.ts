// expect-kind: timeout
for (;;) {
  try {
    while (true) {}
  } catch (error) {}
}
