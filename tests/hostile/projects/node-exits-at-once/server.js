console.error("missing configuration, giving up");
process.exit(2);
