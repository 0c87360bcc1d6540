module.exports = require('@durable-delivery/jest-config');
