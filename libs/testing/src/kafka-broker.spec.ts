import { javaMajorVersion } from './kafka-broker.js';

describe('javaMajorVersion (the launcher refuses a java older than 17)', () => {
  it.each([
    ['openjdk version "17.0.13" 2024-10-15\nOpenJDK Runtime Environment (build 17.0.13+11-Debian-2deb12u1)', 17],
    ['openjdk version "21" 2023-09-19', 21],
    ['java version "1.8.0_392"\nJava(TM) SE Runtime Environment', 8],
    ['openjdk version "11.0.21" 2023-10-17', 11],
    ['Picked up JAVA_TOOL_OPTIONS: -Xss1m\nopenjdk version "25-ea" 2025-09-16', 25],
  ])('%j -> %d', (output, major) => {
    expect(javaMajorVersion(output)).toBe(major);
  });

  it('is undefined for output that names no version', () => {
    expect(javaMajorVersion('Error: could not find libjava.so')).toBeUndefined();
  });
});
