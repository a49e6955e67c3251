/** An environment variable's value, or undefined when it is unset or blank (CI systems set empty ones). */
export function envValue(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name];
  return value?.trim() ? value : undefined;
}
