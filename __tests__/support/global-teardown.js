const { stopBackgroundJobs } = require('./background-jobs');

module.exports = async () => {
  stopBackgroundJobs();
};
