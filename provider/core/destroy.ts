// What `pulumi destroy` does to an object in Flow Service: the one rule, and the words that tell
// the user when the object stays. An adopted or imported object existed before the stack, so it
// outlives it unless the program says otherwise (deleteOnDestroy).

interface DestroyFacts {
  deleteOnDestroy?: boolean;
  adopted?: boolean;
  adoptId?: string;
}

/** Why destroy keeps the object in Flow Service; undefined when it deletes it. */
export function keptOnDestroy(outs: DestroyFacts): string | undefined {
  if (outs.deleteOnDestroy ?? !outs.adopted) return undefined;
  if (outs.deleteOnDestroy === false) return "the program sets deleteOnDestroy: false";
  const how = outs.adoptId ? "adopted (adoptId)" : "imported (pulumi import)";
  return `it was ${how}, so it existed before this stack; set deleteOnDestroy: true to delete it with the stack`;
}
