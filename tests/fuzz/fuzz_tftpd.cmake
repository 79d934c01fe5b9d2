# SPDX-License-Identifier: Apache-2.0
# TFTP packet codec + negotiation + read transfer state machine.
provstation_add_fuzzer(NAME tftp_packet SOURCES tftp_packet_fuzzer.cpp LIBS provstation::tftpd)
