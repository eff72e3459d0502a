// The plugin's version, kept equal to package.json's by a test (the single executable cannot
// read package.json at run time).
export const VERSION = '0.1.0';
