// Pulumi records a stack trace per internal promise; jest raises the limit to 100, which makes
// rendering a stack ~7x slower. One frame is enough for our assertions.
Error.stackTraceLimit = 1;
