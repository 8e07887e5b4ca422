import { describe, expect, it } from "vitest";
import { ethernetFrame, ipUdpPacket } from "../../test/recording/pcap-writer.ts";
import { LINK_TYPE } from "./pcap.ts";
import { endpointKey, ipv6Text, udpDatagram } from "./udp.ts";

const source = { address: "198.51.100.7", port: 16384 };
const destination = { address: "198.51.100.9", port: 30000 };

describe("frames to UDP datagrams", () => {
  it("finds the datagram behind VLAN tags", () => {
    const frame = ethernetFrame(ipUdpPacket(source, destination, Uint8Array.of(9)), false);
    const tagged = Buffer.concat([frame.subarray(0, 12), Buffer.from([0x81, 0x00, 0x00, 0x05]), frame.subarray(12)]);
    const datagram = udpDatagram(LINK_TYPE.ethernet, 0, tagged);
    expect(datagram).toMatchObject({ source, destination });
    expect([...datagram!.payload]).toEqual([9]);
  });

  it("ignores what is not a whole UDP datagram", () => {
    const tcp = Buffer.from(ipUdpPacket(source, destination, Uint8Array.of(1)));
    tcp[9] = 6;
    expect(udpDatagram(LINK_TYPE.raw, 0, tcp)).toBeNull();
    const fragment = Buffer.from(ipUdpPacket(source, destination, Uint8Array.of(1)));
    fragment[6] = 0x20; // more fragments follow
    expect(udpDatagram(LINK_TYPE.raw, 0, fragment)).toBeNull();
    const arp = Buffer.alloc(42);
    arp.writeUInt16BE(0x0806, 12);
    expect(udpDatagram(LINK_TYPE.ethernet, 0, arp)).toBeNull();
    expect(udpDatagram(LINK_TYPE.raw, 0, Buffer.alloc(0))).toBeNull();
  });

  it("writes addresses as people read them", () => {
    expect(ipv6Text(Uint8Array.from([0x20, 0x01, 0x0d, 0xb8, ...Array<number>(11).fill(0), 1]))).toBe("2001:db8::1");
    expect(ipv6Text(new Uint8Array(16))).toBe("::");
    expect(endpointKey({ address: "::1", port: 5 })).toBe("[::1]:5");
    expect(endpointKey(source)).toBe("198.51.100.7:16384");
  });
});
