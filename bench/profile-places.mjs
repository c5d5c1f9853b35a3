// Where a V8 profile frame's code lives, shared by the CPU and allocation profile summaries: a Vigil package's
// folder, a dependency, one of Node's own modules, or a native/V8 frame (empty URL).
export function place({ url, functionName }) {
  if (!url) {
    if (functionName === '') return '(native code, unnamed)';
    return functionName.startsWith('(') ? functionName : `native ${functionName}`;
  }
  const vigil = /packages\/([\w-]+)\/dist\/([\w-]+)/.exec(url);
  if (vigil) return `vigil ${vigil[1]}/${vigil[2]}`;
  const dependency = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (dependency) return `dependency ${dependency[1]}`;
  const internal = /node:internal\/(\w+)(?:\/(\w+))?/.exec(url);
  if (internal) return `node ${internal[1]}${internal[2] ? `/${internal[2]}` : ''}`;
  return url.replace(/^node:/, 'node ');
}

// A function's label in a summary: its name, its file relative to packages/ or node_modules/, its 1-based line.
export function frameLabel({ url, functionName, lineNumber }) {
  return `${functionName || '(anonymous)'} ${url.replace(/.*\/(packages|node_modules)\//, '$1/')}:${lineNumber + 1}`;
}
