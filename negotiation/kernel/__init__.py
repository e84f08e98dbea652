"""The kernel: every rule of the model as a function over arrays whose leading axis is the batch
of negotiations. It imports nothing above it; both drivers call it."""
