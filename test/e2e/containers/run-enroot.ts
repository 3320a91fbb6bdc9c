// /run/enroot on the compute nodes, as the enroot tests need it: absent
// (whatever an earlier root run of enroot left there is moved aside, and put
// back at the end), or made by the test as a root run of enroot leaves it
// (root's, 0700) and removed by it. On bookworm the nodes share the host's
// /run; a suite's node has its own: each step runs on every node, and a step
// that one node already saw done is not done twice.
import { onNode } from '../harness.js';

const RUN = '/run/enroot';
const ASIDE = '/run/enroot.slurmhop-test-aside';

export interface NodeRunPaths {
  moveAside(): Promise<void>;
  makeRootOwned(): Promise<void>;
  removeRootOwned(): Promise<void>;
  restore(): Promise<void>;
}

export async function nodeRunPaths(nodes: string[]): Promise<NodeRunPaths> {
  const onEvery = async (script: string) => {
    for (const node of nodes) {
      const r = await onNode(node, 'root', ['sh', '-c', script]);
      if (r.exitCode !== 0) throw new Error(`on ${node}: ${script}: ${r.stderr}`);
    }
  };
  return {
    moveAside: () => onEvery(`if [ -e ${RUN} ] && [ ! -e ${ASIDE} ]; then mv ${RUN} ${ASIDE}; fi; test ! -e ${RUN}`),
    makeRootOwned: () => onEvery(`[ -d ${RUN} ] || mkdir -m 0700 ${RUN}; chown root:root ${RUN}; chmod 0700 ${RUN}`),
    removeRootOwned: () => onEvery(`[ ! -d ${RUN} ] || rmdir ${RUN}`),
    restore: () => onEvery(`if [ -e ${ASIDE} ]; then [ ! -d ${RUN} ] || rmdir ${RUN}; mv ${ASIDE} ${RUN}; fi`),
  };
}
