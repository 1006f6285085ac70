// Allocates until the memory limit stops it.
const hog = [];
for (;;) {
  hog.push(Buffer.alloc(16 * 1024 * 1024, 1));
}
