import { FakeClock } from './harness/environment';

test('time a handler moved on (its mocked sleep) is kept when the wire advances the clock', () => {
  // Prepare
  const clock = new FakeClock();
  clock.start(new Date('2024-01-01T00:00:00.000Z'));
  jest.setSystemTime(Date.now() + 120_000);

  // Act
  clock.advance(50);
  const now = Date.now();
  clock.stop();

  // Assess
  expect(new Date(now).toISOString()).toBe('2024-01-01T00:02:00.050Z');
});

test('advanceTo never moves time back', () => {
  // Prepare
  const clock = new FakeClock();
  clock.start(new Date('2024-01-01T00:00:00.000Z'));
  jest.setSystemTime(Date.now() + 60_000);

  // Act
  clock.advanceTo(Date.parse('2024-01-01T00:00:30.000Z'));
  const now = clock.now();
  clock.stop();

  // Assess
  expect(new Date(now).toISOString()).toBe('2024-01-01T00:01:00.000Z');
});
