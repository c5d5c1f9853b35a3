/** `rabbitmq`: connect to RabbitMQ (AMQP) and open a channel; optionally check a queue exists. */
import { z } from 'zod';
import { secret, text, urlWith } from '../fields.js';
import { commonFields, monitorType, probeFields } from './base.js';

export const rabbitmqMonitor = z
  .strictObject({
    type: monitorType('rabbitmq', 'A RabbitMQ (AMQP) connection.'),
    ...commonFields,
    ...probeFields('rabbitmq'),
    url: secret(urlWith(['amqp:', 'amqps:'])).describe(
      'Connection URL, e.g. `amqp://monitor@127.0.0.1:5672/vhost`. Never shown in errors.',
    ),
    password: secret(z.string()).optional().describe('Password, kept out of the URL (use `${ENV}` substitution).'),
    queue: text().optional().describe('A queue that must exist (checked passively, nothing is declared).'),
  })
  .describe('Connects to RabbitMQ, opens a channel and, when `queue` is set, checks the queue exists.');
