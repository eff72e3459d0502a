// Per-project webhooks, managed by project admins. `webhooks(api, deps)` also registers the
// event listener that queues deliveries (once per app).
import type { Deps } from '../deps.ts';
import type { Api } from '../platform/http.ts';
import { projectAccess, type ProjectAccess } from '../projects/access.ts';
import { ZProjectParams } from '../projects/schemas.ts';
import { ALL_EVENTS, WEBHOOK_EVENTS } from './events.ts';
import { webhookListener } from './queue.ts';
import {
  ZCreatedWebhook,
  ZCreateWebhookSchema,
  ZDelivery,
  ZDeliveryList,
  ZDeliveryQuery,
  ZUpdateWebhookSchema,
  ZWebhook,
  ZWebhookList,
  ZWebhookParams,
  ZWebhookWithSecret,
} from './schemas.ts';
import {
  createWebhook,
  deleteWebhook,
  getWebhook,
  listDeliveries,
  listWebhooks,
  rotateSecret,
  sendTest,
  settingsOf,
  updateWebhook,
} from './service.ts';

const projectRef = (a: ProjectAccess) => ({
  id: a.projectId,
  key: a.project.key,
  name: a.project.name,
});

export function webhookRoutes(api: Api, deps: Deps): void {
  const settings = settingsOf(deps.config);
  deps.events.onPublish(webhookListener({ queue: deps.queue, logger: deps.logger, settings }));
  // Shown with the list so that the settings page can say why nothing arrives.
  const delivery = deps.queue
    ? { enabled: true, message: null }
    : {
        enabled: false,
        message:
          'Event deliveries are off on this instance: the job queue is disabled (ENABLE_NOTIFICATIONS=false). "Send test" still works.',
      };
  const tag = 'webhooks';
  const admin = (project: string, user: Parameters<typeof projectAccess>[1]) =>
    projectAccess(project, user, 'admin');

  api.op(
    {
      method: 'get',
      path: '/projects/:project/webhooks',
      summary: 'Webhooks of a project (project admins)',
      tag,
      auth: 'user',
      params: ZProjectParams,
      response: ZWebhookList,
      errors: [403],
    },
    async ({ user, params }) => {
      const a = await admin(params.project, user);
      return {
        items: await listWebhooks(a.projectId),
        eventTypes: [ALL_EVENTS, ...WEBHOOK_EVENTS],
        delivery,
      };
    },
  );
  api.op(
    {
      method: 'post',
      path: '/projects/:project/webhooks',
      summary: 'Create a webhook (the secret is in this response only)',
      tag,
      auth: 'user',
      params: ZProjectParams,
      body: ZCreateWebhookSchema,
      response: ZCreatedWebhook,
      errors: [403],
    },
    async ({ user, params, body }) => {
      const a = await admin(params.project, user);
      const w = await createWebhook(a.projectId, user.userId, body, settings.policy);
      return { ...w, delivery };
    },
  );
  api.op(
    {
      method: 'get',
      path: '/projects/:project/webhooks/:webhookId',
      summary: 'Get a webhook',
      tag,
      auth: 'user',
      params: ZWebhookParams,
      response: ZWebhook,
      errors: [403],
    },
    async ({ user, params }) => {
      const a = await admin(params.project, user);
      return getWebhook(a.projectId, params.webhookId);
    },
  );
  api.op(
    {
      method: 'patch',
      path: '/projects/:project/webhooks/:webhookId',
      summary: 'Update a webhook (active: true re-enables it and clears its failures)',
      tag,
      auth: 'user',
      params: ZWebhookParams,
      body: ZUpdateWebhookSchema,
      response: ZWebhook,
      errors: [403],
    },
    async ({ user, params, body }) => {
      const a = await admin(params.project, user);
      return updateWebhook(a.projectId, params.webhookId, body, settings.policy);
    },
  );
  api.op(
    {
      method: 'delete',
      path: '/projects/:project/webhooks/:webhookId',
      summary: 'Delete a webhook and its delivery log',
      tag,
      auth: 'user',
      params: ZWebhookParams,
      errors: [403],
    },
    async ({ user, params }) => {
      const a = await admin(params.project, user);
      await deleteWebhook(a.projectId, params.webhookId);
      return undefined;
    },
  );
  api.op(
    {
      method: 'post',
      path: '/projects/:project/webhooks/:webhookId/rotate-secret',
      summary: 'Replace the signing secret (the new one is in this response only)',
      tag,
      auth: 'user',
      params: ZWebhookParams,
      status: 200,
      response: ZWebhookWithSecret,
      errors: [403],
    },
    async ({ user, params }) => {
      const a = await admin(params.project, user);
      return rotateSecret(a.projectId, params.webhookId);
    },
  );
  api.op(
    {
      method: 'post',
      path: '/projects/:project/webhooks/:webhookId/test',
      summary: 'Send a signed ping now and return the logged attempt',
      tag,
      auth: 'user',
      params: ZWebhookParams,
      status: 200,
      response: ZDelivery,
      errors: [403],
    },
    async ({ user, params }) => {
      const a = await admin(params.project, user);
      return sendTest(
        a.projectId,
        params.webhookId,
        projectRef(a),
        { id: user.userId, name: user.name },
        settings,
      );
    },
  );
  api.op(
    {
      method: 'get',
      path: '/projects/:project/webhooks/:webhookId/deliveries',
      summary: 'Delivery log of a webhook, newest first (one entry per attempt)',
      tag,
      auth: 'user',
      params: ZWebhookParams,
      query: ZDeliveryQuery,
      response: ZDeliveryList,
      errors: [403],
    },
    async ({ user, params, query }) => {
      const a = await admin(params.project, user);
      return { items: await listDeliveries(a.projectId, params.webhookId, query.limit) };
    },
  );
}
