'use strict';
/**
 * Only the executor may change the music library. This rule reports every filesystem write API
 * (write, append, rename, unlink, mkdir, rm, copy, truncate, links, permission and time changes,
 * write streams, and open() with a write flag) reached through `fs`, `fs/promises` or `node:` forms,
 * whether imported by name, as a namespace, or required; and running a program that changes files
 * (rm, mv, cp, ln, chmod, rsync, …) through child_process.
 * Exceptions are configured in eslint.config.js, each with its reason.
 */
const FS_MODULES = new Set(['fs', 'node:fs', 'fs/promises', 'node:fs/promises', 'fs-extra', 'graceful-fs']);
const WRITE_APIS = new Set(
  [
    'writeFile',
    'appendFile',
    'write',
    'writev',
    'rename',
    'unlink',
    'rm',
    'rmdir',
    'mkdir',
    'mkdtemp',
    'copyFile',
    'cp',
    'truncate',
    'ftruncate',
    'createWriteStream',
    'symlink',
    'link',
    'chmod',
    'lchmod',
    'chown',
    'lchown',
    'fchmod',
    'fchown',
    'utimes',
    'lutimes',
    'futimes',
    'move',
    'outputFile',
    'remove',
    'emptyDir',
    'ensureDir',
    'ensureFile',
    'copy',
    'writeJson',
    'outputJson',
  ].flatMap((name) => [name, `${name}Sync`]),
);
const READ_ONLY_OPEN_FLAGS = new Set(['r', 'rs', 'sr']);
// Running a program that changes files is a write too (`spawn('mv', …)`, `execSync('rm -rf …')`).
const CHILD_PROCESS_MODULES = new Set(['child_process', 'node:child_process']);
const CHILD_PROCESS_APIS = new Set(['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync']);
const WRITING_PROGRAMS = new Set([
  'rm',
  'mv',
  'cp',
  'ln',
  'rmdir',
  'mkdir',
  'chmod',
  'chown',
  'touch',
  'truncate',
  'rsync',
  'dd',
  'install',
  'unlink',
  'shred',
  'tee',
  'rename',
]);

module.exports = {
  meta: {
    type: 'problem',
    docs: {
      description: 'Only apps/executor may write to the music library (filesystem write APIs are forbidden elsewhere)',
    },
    schema: [],
    messages: {
      write:
        "'{{name}}' writes to the filesystem. Only apps/executor may change the music library; see eslint.config.js for the named exceptions.",
      program:
        "Running '{{name}}' changes files. Only apps/executor may change the music library; see eslint.config.js for the named exceptions.",
    },
  },
  create(context) {
    const fsNamespaces = new Set();
    const childProcessNamespaces = new Set();
    const childProcessFunctions = new Set();
    const programOf = (arg) => {
      if (!arg) return null;
      let text = null;
      if (arg.type === 'Literal' && typeof arg.value === 'string') text = arg.value;
      else if (arg.type === 'TemplateLiteral' && arg.quasis.length) text = arg.quasis[0].value.cooked;
      if (!text) return null;
      const first = text.trim().split(/\s+/)[0] || '';
      return first.slice(first.lastIndexOf('/') + 1);
    };
    const checkProgram = (call) => {
      const program = programOf(call.arguments[0]);
      if (program && WRITING_PROGRAMS.has(program))
        context.report({ node: call, messageId: 'program', data: { name: program } });
    };
    const report = (node, name) => context.report({ node, messageId: 'write', data: { name } });
    const isWriteOpen = (call) => {
      const flags = call.arguments[1];
      if (!flags) return false;
      if (flags.type === 'Literal' && typeof flags.value === 'string') return !READ_ONLY_OPEN_FLAGS.has(flags.value);
      if (flags.type === 'MemberExpression' && flags.property.name === 'O_RDONLY') return false;
      return true; // not provably read-only
    };
    const checkName = (node, name, call) => {
      if (WRITE_APIS.has(name)) report(node, name);
      else if ((name === 'open' || name === 'openSync') && call && isWriteOpen(call)) report(node, name);
    };
    return {
      ImportDeclaration(node) {
        if (CHILD_PROCESS_MODULES.has(node.source.value)) {
          for (const spec of node.specifiers) {
            if (spec.type !== 'ImportSpecifier') childProcessNamespaces.add(spec.local.name);
            else if (CHILD_PROCESS_APIS.has(spec.imported.name ?? spec.imported.value))
              childProcessFunctions.add(spec.local.name);
          }
          return;
        }
        if (!FS_MODULES.has(node.source.value)) return;
        for (const spec of node.specifiers) {
          if (spec.type === 'ImportSpecifier') {
            const imported = spec.imported.name ?? spec.imported.value;
            if (WRITE_APIS.has(imported)) report(spec, imported);
            if (imported === 'promises') fsNamespaces.add(spec.local.name);
            if (imported === 'open' || imported === 'openSync') fsNamespaces.add(`open:${spec.local.name}`);
          } else {
            fsNamespaces.add(spec.local.name);
          }
        }
      },
      VariableDeclarator(node) {
        const init = node.init;
        const isRequire =
          init &&
          init.type === 'CallExpression' &&
          init.callee.type === 'Identifier' &&
          init.callee.name === 'require' &&
          init.arguments[0] &&
          init.arguments[0].type === 'Literal' &&
          FS_MODULES.has(init.arguments[0].value);
        const isChildProcessRequire =
          init &&
          init.type === 'CallExpression' &&
          init.callee.type === 'Identifier' &&
          init.callee.name === 'require' &&
          init.arguments[0] &&
          init.arguments[0].type === 'Literal' &&
          CHILD_PROCESS_MODULES.has(init.arguments[0].value);
        if (isChildProcessRequire) {
          if (node.id.type === 'Identifier') childProcessNamespaces.add(node.id.name);
          if (node.id.type === 'ObjectPattern') {
            for (const prop of node.id.properties) {
              if (prop.type === 'Property' && prop.key.type === 'Identifier' && CHILD_PROCESS_APIS.has(prop.key.name)) {
                if (prop.value.type === 'Identifier') childProcessFunctions.add(prop.value.name);
              }
            }
          }
          return;
        }
        if (!isRequire) return;
        if (node.id.type === 'Identifier') fsNamespaces.add(node.id.name);
        if (node.id.type === 'ObjectPattern') {
          for (const prop of node.id.properties) {
            if (prop.type === 'Property' && prop.key.type === 'Identifier') {
              if (WRITE_APIS.has(prop.key.name)) report(prop, prop.key.name);
              if (prop.key.name === 'promises' && prop.value.type === 'Identifier') fsNamespaces.add(prop.value.name);
            }
          }
        }
      },
      MemberExpression(node) {
        // fs.writeFile, fs.promises.rename, promises.unlink ...
        let object = node.object;
        if (
          object.type === 'MemberExpression' &&
          object.property.type === 'Identifier' &&
          object.property.name === 'promises'
        ) {
          object = object.object;
        }
        if (object.type !== 'Identifier' || !fsNamespaces.has(object.name)) return;
        const name = node.property.type === 'Identifier' ? node.property.name : node.property.value;
        if (typeof name !== 'string') return;
        const call =
          node.parent && node.parent.type === 'CallExpression' && node.parent.callee === node ? node.parent : null;
        checkName(node.property, name, call);
      },
      CallExpression(node) {
        const callee = node.callee;
        if (callee.type === 'Identifier' && childProcessFunctions.has(callee.name)) checkProgram(node);
        if (
          callee.type === 'MemberExpression' &&
          callee.object.type === 'Identifier' &&
          childProcessNamespaces.has(callee.object.name) &&
          callee.property.type === 'Identifier' &&
          CHILD_PROCESS_APIS.has(callee.property.name)
        ) {
          checkProgram(node);
        }
        if (node.callee.type === 'Identifier' && fsNamespaces.has(`open:${node.callee.name}`) && isWriteOpen(node)) {
          report(node.callee, node.callee.name);
        }
      },
    };
  },
};
