// Mistakes a platform team's compiler must catch against pbx-estate's types.
import { PbxUser, SipDevice } from "pbx-estate";

new SipDevice("desk", { name: "Desk", licenceId: "sub_1", colour: "red" });
new PbxUser("john", { name: "John Smith", extension: 201, licenceId: "sub_2", callPlan: "national-unlimited", deviceIds: [] });
