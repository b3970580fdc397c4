import { AssignerProtocol, type PartitionAssigner } from 'kafkajs';

/**
 * Gives every member whole tasks: partition p of every input topic goes to the member owning task p.
 * An agent's state for an entity lives in partition p of its state topic and is needed by the records
 * of that entity in partition p of each input (orders.placed-3 and shipments.updated-3), so they must
 * be processed by one member with one transactional producer. kafkajs's round-robin assigner splits them
 * whenever the partition count is not a multiple of the member count.
 */
export const CoPartitionedAssigner: PartitionAssigner = ({ cluster }) => ({
  name: 'HooklineCoPartitioned',
  version: 1,
  async assign({ members, topics }) {
    const memberIds = members.map((m) => m.memberId).sort();
    const partitionsOf = new Map(topics.map((t) => [t, cluster.findTopicPartitionMetadata(t).map((m) => m.partitionId)]));
    const taskCount = Math.max(0, ...[...partitionsOf.values()].map((ps) => ps.length));
    const assignment = new Map<string, Record<string, number[]>>(memberIds.map((id) => [id, {}]));
    for (let task = 0; task < taskCount; task++) {
      const owner = assignment.get(memberIds[task % memberIds.length]);
      if (!owner) continue;
      for (const [topic, partitions] of partitionsOf) {
        if (partitions.includes(task)) (owner[topic] ??= []).push(task);
      }
    }
    return memberIds.map((memberId) => ({
      memberId,
      memberAssignment: AssignerProtocol.MemberAssignment.encode({ version: 1, assignment: assignment.get(memberId) ?? {}, userData: Buffer.alloc(0) }),
    }));
  },
  protocol({ topics }) {
    return { name: 'HooklineCoPartitioned', metadata: AssignerProtocol.MemberMetadata.encode({ version: 1, topics, userData: Buffer.alloc(0) }) };
  },
});
