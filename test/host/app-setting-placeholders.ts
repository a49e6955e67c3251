/**
 * Resolves `%AppSetting%` placeholders in a trigger option the way the Functions host's name resolver does
 * (https://learn.microsoft.com/azure/azure-functions/functions-bindings-expressions-patterns#binding-expressions---app-settings).
 * An unknown setting stops the function from loading, as in Azure ("'%X%' does not resolve to a value").
 */
export function resolveAppSettingPlaceholders(
  value: string,
  settings: Record<string, string | undefined>,
  where: string,
): string {
  return value.replace(/%([^%]+)%/g, (_, name: string) => {
    const resolved = settings[name];
    if (resolved === undefined || resolved === '') {
      throw new Error(`${where}: '%${name}%' does not resolve to a value; set the app setting ${name}.`);
    }
    return resolved;
  });
}
