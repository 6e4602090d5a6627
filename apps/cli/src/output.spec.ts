import { printable, speedChange } from './output';

describe('speedChange', () => {
  it('reads like a pitch fader: signed, one decimal', () => {
    expect(speedChange(1.04)).toBe('+4.0 %');
    expect(speedChange(0.975)).toBe('-2.5 %');
  });

  it('never prints -0.0 % for a track played at its own speed', () => {
    expect(speedChange(0.99999)).toBe('0.0 %');
    expect(speedChange(1)).toBe('0.0 %');
  });
});

describe('printable', () => {
  it('replaces control characters from tags and names, so they cannot rewrite the terminal', () => {
    expect(printable('red\u001b[31m; title\nnext')).toBe('red\uFFFD[31m; title\uFFFDnext');
  });
});
