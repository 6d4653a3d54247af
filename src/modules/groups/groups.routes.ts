import { authOf } from '../../http/context';
import { keyPageOnlyQuery, pageSchema } from '../../http/pagination';
import { defineRoute, type AnyRoute } from '../../http/route';
import { slugSchema } from '../organisations/organisations.schemas';
import { createGroupBody, groupParams, groupView, updateGroupBody } from './groups.schemas';
import {
  acceptInvitation,
  createGroup,
  groupFor,
  groupView as viewOf,
  inviteMember,
  listGroups,
  removeMember,
  setNameConsent,
  updateGroup,
} from './groups.service';

const errorRef = { $ref: '#/components/schemas/Error' };
const anyone = ['platform', 'admin', 'analyst', 'coordinator'] as const;
const notFound = { description: 'Missing, or a group you are not part of', schema: errorRef };
const conflict = { description: 'Changed meanwhile, or already so', schema: errorRef };
const ok = { description: 'The group', schema: groupView };

/** Benchmarking groups: members, coordinators, indicator set and calendar. */
export function groupRoutes(): AnyRoute[] {
  return [
    defineRoute({
      method: 'post',
      path: '/api/v1/groups',
      summary: 'Create a benchmarking group',
      description:
        'A coordinator key creates a group its organisation coordinates; a platform key names the coordinating organisations.',
      tags: ['groups'],
      auth: ['platform', 'coordinator'],
      body: createGroupBody,
      responses: { 201: { description: 'Created', schema: groupView }, 409: conflict },
      handler: async ({ body, req }) => ({ status: 201, body: await createGroup(authOf(req), body) }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/groups',
      summary: 'Groups you belong to, coordinate or are invited to (platform: all)',
      tags: ['groups'],
      auth: anyone,
      query: keyPageOnlyQuery,
      responses: {
        200: {
          description: 'A page of groups, by slug',
          schema: pageSchema(groupView),
        },
      },
      handler: async ({ query, req }) => ({ body: await listGroups(authOf(req), query) }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/groups/{group}',
      summary: 'One group',
      tags: ['groups'],
      auth: anyone,
      params: groupParams,
      responses: { 200: ok, 404: notFound },
      handler: async ({ params, req }) => ({ body: await viewOf(await groupFor(authOf(req), params.group)) }),
    }),
    defineRoute({
      method: 'patch',
      path: '/api/v1/groups/{group}',
      summary: 'Change the name, indicator set, calendar or languages (coordinators)',
      tags: ['groups'],
      auth: ['platform', 'coordinator'],
      params: groupParams,
      body: updateGroupBody,
      responses: {
        200: ok,
        404: notFound,
        409: conflict,
        422: { description: 'Inconsistent', schema: errorRef },
      },
      handler: async ({ params, body, req }) => ({
        body: await updateGroup(authOf(req), params.group, body),
      }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/groups/{group}/invitations',
      summary: 'Invite an organisation (coordinators); its admin accepts',
      tags: ['groups'],
      auth: ['platform', 'coordinator'],
      params: groupParams,
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['organisation'],
        properties: { organisation: slugSchema },
      },
      responses: { 200: ok, 404: notFound, 409: conflict },
      handler: async ({ params, body, req }) => ({
        body: await inviteMember(authOf(req), params.group, body.organisation),
      }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/groups/{group}/membership',
      summary: 'Accept your organisation’s invitation (admin)',
      tags: ['groups'],
      auth: ['admin'],
      params: groupParams,
      responses: { 200: ok, 404: notFound, 409: conflict },
      handler: async ({ params, req }) => ({ body: await acceptInvitation(authOf(req), params.group) }),
    }),
    defineRoute({
      method: 'put',
      path: '/api/v1/groups/{group}/membership/name-consent',
      summary: 'Say whether your organisation agrees that members see each other’s names (admin)',
      description:
        'Names are shown inside the group only when every member agrees; outside the group nothing changes.',
      tags: ['groups'],
      auth: ['admin'],
      params: groupParams,
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['showName'],
        properties: { showName: { type: 'boolean' } },
      },
      responses: { 200: ok, 404: notFound, 409: conflict },
      handler: async ({ params, body, req }) => ({
        body: await setNameConsent(authOf(req), params.group, body.showName),
      }),
    }),
    defineRoute({
      method: 'delete',
      path: '/api/v1/groups/{group}/members/{org}',
      summary: 'Remove a member or withdraw an invitation (coordinators); leave the group (your admin)',
      tags: ['groups'],
      auth: ['platform', 'coordinator', 'admin'],
      params: {
        type: 'object',
        required: ['group', 'org'],
        properties: {
          ...groupParams.properties,
          org: { type: 'string', minLength: 1, maxLength: 64, description: 'Organisation id or slug' },
        },
      },
      responses: { 200: ok, 404: notFound, 409: conflict },
      handler: async ({ params, req }) => ({
        body: await removeMember(authOf(req), params.group, params.org),
      }),
    }),
  ];
}
