/*
 * bcryptprimitives.dll for Wine 8: Go 1.24+ Windows binaries take their
 * randomness from ProcessPrng, which Wine 8 does not export, and abort at
 * start-up with "bcryptprimitives.dll not found". This stub answers it with
 * RtlGenRandom (advapi32's SystemFunction036). Test use under Wine only; it
 * is built from this source by scripts/lib/wine.sh and never shipped.
 */
#include <windows.h>
#include <ntsecapi.h>

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
	while (len > 0) {
		ULONG n = len > 0x40000000 ? 0x40000000 : (ULONG)len;
		if (!RtlGenRandom(data, n))
			return FALSE;
		data += n;
		len -= n;
	}
	return TRUE;
}
