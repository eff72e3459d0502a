// The floor for the benchmark: a bare Node HTTP server running, with the MongoDB driver alone
// (no Express, no auth, no validation, no mongoose documents, no cache), the same database
// queries as the API scenarios it is compared with:
//   GET  /states  the workflow states of WEB (the harness's idle probe, not a scenario)
//   GET  /list    `GET /projects/WEB/tasks?priority=high,urgent&limit=50`
//   GET  /board   `GET /projects/WEB/board` (the states, then every task by rank)
//   POST /create  `POST /projects/OPS/tasks` (first state, last rank in it, the task counter,
//                 the insert, the activity entry)
import { createServer } from 'node:http';
import mongoose from 'mongoose';

const { MongoClient, ObjectId } = mongoose.mongo;
const uri = process.env.MONGODB_URI ?? '';
const client = await new MongoClient(uri, {
  // The API's pool size (platform/db.ts), so both sides can run as many queries at once.
  maxPoolSize: 20,
}).connect();
const db = client.db(process.env.MONGODB_DB);
const projectId = async (key: string) => {
  const p = await db.collection('projects').findOne({ key });
  if (!p) throw new Error('seed first');
  return new ObjectId(String(p._id));
};
const web = await projectId('WEB');
const ops = await projectId('OPS');
const tasks = db.collection('tasks');

async function list() {
  const items = await tasks
    .find({ projectId: web, $and: [{ priority: { $in: ['high', 'urgent'] } }] })
    .sort({ createdAt: -1, _id: -1 })
    .limit(51)
    .toArray();
  return { items: items.slice(0, 50) };
}

async function board() {
  const states = await db
    .collection('states')
    .find({ projectId: web })
    .sort({ position: 1, _id: 1 })
    .toArray();
  const all = await tasks.find({ projectId: web }).sort({ rank: 1, _id: 1 }).toArray();
  return { states, tasks: all };
}

async function create() {
  const state = await db
    .collection('states')
    .findOne({ projectId: ops }, { sort: { position: 1, _id: 1 } });
  if (!state) throw new Error('no state');
  const last = await tasks.findOne(
    { projectId: ops, stateId: state._id },
    { sort: { rank: -1, _id: -1 }, projection: { rank: 1 } },
  );
  const counters = db.collection<{ _id: string; seq: number }>('counters');
  const fields = {
    projectId: ops,
    stateId: state._id,
    title: 'bench task',
    priority: 'low',
    rank: `${String(last?.rank ?? 'a')}n`,
    assigneeIds: [],
    labelIds: [],
    createdAt: new Date(),
    updatedAt: new Date(),
  };
  // Like the API: FerretDB v1 may hand two concurrent $inc calls the same number; the unique
  // (projectId, number) index refuses the second insert, which takes the next number.
  for (let attempt = 0; ; attempt++) {
    const counter = await counters.findOneAndUpdate(
      { _id: `bench:${String(ops)}` },
      { $inc: { seq: 1 } },
      { upsert: true, returnDocument: 'after' },
    );
    const doc = { ...fields, number: (counter?.seq ?? 0) + 1_000_000 };
    try {
      const r = await tasks.insertOne(doc);
      await db.collection('activities').insertOne({
        projectId: ops,
        taskId: r.insertedId,
        action: 'task.created',
        changes: [{ field: 'title', from: null, to: doc.title }],
        createdAt: new Date(),
      });
      return { ...doc, _id: r.insertedId };
    } catch (err) {
      if ((err as { code?: number }).code !== 11000 || attempt >= 20) throw err;
    }
  }
}

/** A cheap read (a handful of documents, filter pushed down): the harness's "is it idle" probe. */
async function states() {
  return db.collection('states').find({ projectId: web }).toArray();
}

const routes: Record<string, () => Promise<unknown>> = {
  'GET /states': states,
  'GET /list': list,
  'GET /board': board,
  'POST /create': create,
};

const server = createServer((req, res) => {
  const route = routes[`${req.method} ${req.url}`];
  req.resume();
  if (!route) {
    res.statusCode = 404;
    res.end();
    return;
  }
  route().then(
    (body) => {
      res.statusCode = req.method === 'POST' ? 201 : 200;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(body));
    },
    (err: unknown) => {
      res.statusCode = 500;
      res.end(String(err));
    },
  );
});
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const addr = server.address();
  console.log(`listening ${typeof addr === 'object' && addr ? addr.port : ''}`);
});
process.on('SIGTERM', () => {
  server.close();
  void client.close().then(() => process.exit(0));
});
