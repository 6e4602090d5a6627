/* Every page of the UI. To add one: write views/<feature>.js exporting
 * `export default { route: '#/<feature>', title: '…', nav?: 'Label', render(root, ctx) }` and list it here.
 * Views with `nav` appear in the top bar, in this order. */
import dashboard from './dashboard.js';
import executions from './executions.js';
import file from './file.js';
import files from './files.js';
import library from './library.js';
import proposals from './proposals.js';
import proposalsPreview from './proposals-preview.js';
import tracklists from './tracklists.js';

export default [dashboard, files, library, proposals, proposalsPreview, executions, tracklists, file];
