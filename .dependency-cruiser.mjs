// `npm run -s deps`, part of `npm run lint`: the import graph of the product and its local
// tooling has no cycles. Type-only imports count: modules whose types import each other
// still cannot be understood, moved or tested one without the other.
/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment:
        'Modules import each other, directly or through others: move the piece both need to the module it belongs in.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-circular-folders',
      severity: 'error',
      comment:
        'Folders of src/ (or of local/) import each other through their modules: move the piece both need to the folder it belongs in.',
      scope: 'folder',
      // Only edges between two folders of src/ or of local/. workflows/ and activities/ use
      // each other's types by design (workflows take their activities' types, activities
      // the workflow contract's), so a cycle through that pair alone is not reported here;
      // the file-level rule above still holds for it.
      from: { path: '^(src|local)(/|$)' },
      to: { path: '^(src|local)(/|$)', circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.json'] },
  },
};
