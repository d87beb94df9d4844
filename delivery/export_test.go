package delivery

// RedactErrForTest is redactErr, for the external tests.
var RedactErrForTest = redactErr
