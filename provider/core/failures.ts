// Check failures as the engine prints them (both doors: the plugin's server and the dynamic
// providers' exports). The engine looks a failure's `property` up among the
// resource's top-level inputs only and prints that value: for a nested path such as
// `auth.params.port` it prints `value {<nil>}` although the program gave one. So a failure on a
// nested path goes to the engine without a property, its reason beginning with the path (which is
// what the user needs to find it); one on a top-level input stays as it is (the engine prints the
// value given).

export interface CheckFailure {
  property: string;
  reason: string;
}

export function engineFailures(failures: readonly CheckFailure[]): CheckFailure[] {
  return failures.map((f) => {
    if (!/[.[]/.test(f.property)) return f;
    return { property: "", reason: f.reason.startsWith(f.property) ? f.reason : `${f.property}: ${f.reason}` };
  });
}
