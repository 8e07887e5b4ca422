/**
 * The estate the recording suites call in, made through the API: John (201, recording on to `recording`) and
 * Mary (202, recording off), one desk phone each, published to the backend's registrar.
 */
import { NUMBERS, createDevice, createUser, currentRevision } from "./harness.ts";
import type { ApiDevice, EstateBackend } from "./harness.ts";

export async function johnRecordsMaryDoesNot(
  b: EstateBackend,
  recording: { email: string; subject: string },
): Promise<{ johnDesk: ApiDevice; maryDesk: ApiDevice }> {
  const licences = await b.licences(["national-unlimited", "national-unlimited"], 2);
  const [johnLicence, maryLicence] = licences.users as [string, string];
  const [l1, l2] = licences.devices as [string, string];
  const johnDesk = await createDevice(b, "John's Desk Phone", l1);
  const maryDesk = await createDevice(b, "Mary's Desk Phone", l2);
  await createUser(
    b,
    {
      name: "John Smith",
      extension: "201",
      licenceId: johnLicence,
      areaPrefix: "020",
      outboundCallerId: NUMBERS[0]!,
      recording: { enabled: true, ...recording },
    },
    [johnDesk.id],
  );
  await createUser(
    b,
    { name: "Mary Jones", extension: "202", licenceId: maryLicence, areaPrefix: "0161", outboundCallerId: NUMBERS[1]! },
    [maryDesk.id],
  );
  await b.published(await currentRevision(b));
  return { johnDesk, maryDesk };
}
