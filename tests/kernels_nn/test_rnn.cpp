// placeholder until written
int runRnnTests(int, char**) { return 0; }
