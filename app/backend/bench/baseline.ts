// The floor for the benchmark: a bare Node HTTP server running the same task-list query as
// `GET /projects/WEB/tasks?priority=high,urgent&limit=50` with the MongoDB driver alone
// (no Express, no auth, no validation, no mongoose documents).
import { createServer } from 'node:http';
import mongoose from 'mongoose';

const { MongoClient, ObjectId } = mongoose.mongo;
const uri = process.env.MONGODB_URI ?? '';
const client = await new MongoClient(uri).connect();
const db = client.db(process.env.MONGODB_DB);
const project = await db.collection('projects').findOne({ key: 'WEB' });
if (!project) throw new Error('seed first');
const projectId = new ObjectId(String(project._id));
const server = createServer(async (_req, res) => {
  const items = await db
    .collection('tasks')
    .find({ $and: [{ projectId }, { priority: { $in: ['high', 'urgent'] } }] })
    .sort({ createdAt: -1, _id: -1 })
    .limit(51)
    .toArray();
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ items: items.slice(0, 50) }));
});
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const addr = server.address();
  console.log(`listening ${typeof addr === 'object' && addr ? addr.port : ''}`);
});
process.on('SIGTERM', () => {
  server.close();
  void client.close().then(() => process.exit(0));
});
