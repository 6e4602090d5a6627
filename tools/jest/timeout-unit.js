/* global jest */
// Per-kind time limit for one test (Jest's testTimeout is global, so each project sets its own here).
jest.setTimeout(15000);
