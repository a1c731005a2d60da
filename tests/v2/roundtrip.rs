// filled in with the sandbox
