import { describe, expect, it } from 'vitest';
import { goFloat, goG, humanize, humanizeDuration, renderAnnotation } from '../src/stack/format.js';

// Expected texts as Prometheus 2.42 renders `{{ $value }}`, `humanize` and `humanizeDuration` (checked with promtool).
describe('Go template formatting', () => {
  it.each([
    [1_000_000, '1e+06', '1M', '11d 13h 46m 40s'],
    [0.8, '0.8', '800m', '800ms'],
    [123456.5, '123456.5', '123.5k', '1d 10h 17m 36s'],
    [7200, '7200', '7.2k', '2h 0m 0s'],
    [1e21, '1e+21', '1Z', null],
    [0, '0', '0', '0s'],
    [90, '90', '90', '1m 30s'],
    [1.5, '1.5', '1.5', '1.5s'],
    [0.00002, '2e-05', '20u', '20us'],
    [0.0001, '0.0001', '100u', '100us'],
    // An exact tie rounds to even in Go.
    [1.0625, '1.0625', '1.062', '1.062s'],
    [12345, '12345', '12.35k', '3h 25m 45s'],
  ])('%d', (value, plain, human, duration) => {
    expect(goFloat(value)).toBe(plain);
    expect(humanize(value)).toBe(human);
    if (duration !== null) expect(humanizeDuration(value)).toBe(duration);
  });

  // Checked with promtool: {{ printf "%.4g" $value }}.
  it('formats %.4g like Go', () => {
    expect(goG(12345, 4)).toBe('1.234e+04');
    expect(goG(12355, 4)).toBe('1.236e+04');
    expect(goG(-0.5, 4)).toBe('-0.5');
    expect(goG(9999.5, 4)).toBe('1e+04');
    expect(goG(999.95, 4)).toBe('1000');
    expect(goG(0.5, 4)).toBe('0.5');
    expect(goG(120.00000000001, 4)).toBe('120');
    expect(goG(0.000012, 4)).toBe('1.2e-05');
  });

  it('renders labels and values, and refuses template actions it cannot render', () => {
    const labels = { instance: 'host:8000', queue: 'emails' };
    expect(renderAnnotation('{{ $labels.queue }} on {{$labels.instance}}: {{ $value | humanize }}', labels, 2500)).toBe(
      'emails on host:8000: 2.5k',
    );
    expect(() => renderAnnotation('{{ $labels.missing }}', labels, 1)).toThrow(/no value/);
    expect(() => renderAnnotation('{{ printf "%.1f" $value }}', labels, 1)).toThrow(/unsupported/);
  });
});
