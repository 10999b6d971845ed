// Every tier runs under `npm test`; each tier can also be run alone (see package.json scripts).
module.exports = {
  require: ["ts-node/register"],
  extension: ["ts"],
  recursive: true,
  timeout: 60000,
  reporter: "test/reporter.js",
};
