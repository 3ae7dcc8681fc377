/** /etc/os-release of the distributions the sandbox's images are built on. */
export const OS_RELEASE: Record<string, string> = {
  rhel9: 'NAME="Red Hat Enterprise Linux"\nVERSION="9.6 (Plow)"\nID="rhel"\nID_LIKE="fedora"\nVERSION_ID="9.6"\nPLATFORM_ID="platform:el9"\nPRETTY_NAME="Red Hat Enterprise Linux 9.6 (Plow)"\nANSI_COLOR="0;31"\nLOGO="fedora-logo-icon"\nCPE_NAME="cpe:/o:redhat:enterprise_linux:9::baseos"\nHOME_URL="https://www.redhat.com/"\nBUG_REPORT_URL="https://issues.redhat.com/"\n',
  debian12: 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nVERSION="12 (bookworm)"\nVERSION_CODENAME=bookworm\nID=debian\nHOME_URL="https://www.debian.org/"\nSUPPORT_URL="https://www.debian.org/support"\nBUG_REPORT_URL="https://bugs.debian.org/"\n',
  fedora40: 'NAME="Fedora Linux"\nVERSION="40 (Cloud Edition)"\nID=fedora\nVERSION_ID=40\nPLATFORM_ID="platform:f40"\nPRETTY_NAME="Fedora Linux 40 (Cloud Edition)"\nANSI_COLOR="0;38;2;60;110;180"\nCPE_NAME="cpe:/o:fedoraproject:fedora:40"\nHOME_URL="https://fedoraproject.org/"\nVARIANT="Cloud Edition"\nVARIANT_ID=cloud\n',
};

export function osReleaseFor(image: string): string {
  if (/nginx|busybox|rust-turtle-viewer/.test(image)) return OS_RELEASE.debian12!;
  if (/fedora/.test(image)) return OS_RELEASE.fedora40!;
  return OS_RELEASE.rhel9!;
}
