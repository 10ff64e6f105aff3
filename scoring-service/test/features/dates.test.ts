import { asOfEpochDay, parseEpochDay } from '../../src/features/dates';

describe('date inputs', () => {
  it('gives the same day number as Date.UTC for dates across centuries and leap years', () => {
    const days: string[] = [];
    for (let t = Date.UTC(1899, 11, 25); t <= Date.UTC(2101, 1, 5); t += 86_400_000 * 7 + 3_600_000)
      days.push(new Date(t).toISOString().slice(0, 10));
    days.push('2000-02-29', '2024-02-29', '1970-01-01', '1969-12-31');
    for (const d of days) expect([d, parseEpochDay(d)]).toEqual([d, Date.parse(`${d}T00:00:00Z`) / 86_400_000]);
  });

  it('accepts ISO datetimes in the forms Salesforce and Apex write, counting the day written', () => {
    const nov1 = Date.UTC(2026, 10, 1) / 86_400_000;
    for (const text of [
      '2026-11-01T10:00:00Z',
      '2026-11-01T10:00:00.000+0000',
      '2026-11-01T23:30:00-05:00',
      '2026-11-01 08:15',
      '2026-11-01T08:15:30.123456789+02:00',
    ]) {
      expect([text, parseEpochDay(text)]).toEqual([text, nov1]);
    }
  });

  it('refuses impossible dates and other text', () => {
    for (const text of [
      '2026-02-29',
      '2025-13-01',
      '2026-00-10',
      '2026-04-31',
      '2026-11-1',
      '26-11-01',
      '2026/11/01',
      '2026-11-01T24:00',
      '2026-11-01T10:60',
      '2026-11-01Z',
      '2026-11-01T10:00:00+5',
      'yesterday',
      '',
    ]) {
      expect([text, parseEpochDay(text)]).toEqual([text, undefined]);
    }
  });

  it('takes asOf as a date, a datetime or a Date', () => {
    expect(asOfEpochDay('2026-11-25')).toBe(Date.UTC(2026, 10, 25) / 86_400_000);
    expect(asOfEpochDay(new Date('2026-11-25T23:59:59Z'))).toBe(Date.UTC(2026, 10, 25) / 86_400_000);
    expect(() => asOfEpochDay('25/11/2026')).toThrow(/asOf/);
  });
});
