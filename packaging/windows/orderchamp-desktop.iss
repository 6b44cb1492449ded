; Inno Setup 6 script: the Windows installer of Orderchamp Desktop.
;
; Build the one-folder app first (packaging\orderchamp-desktop.spec), then from the
; repository root:
;
;   set ORDERCHAMP_VERSION=0.1.0           (the version from pyproject.toml; CI sets it)
;   iscc packaging\windows\orderchamp-desktop.iss
;
; or pass the version directly: iscc /DAppVersion=0.1.0 packaging\windows\orderchamp-desktop.iss
; Output: dist\orderchamp-desktop-<version>-windows-x64-setup.exe
;
; Install mode: per user by default (no administrator rights, installs to
; %LOCALAPPDATA%\Programs\Orderchamp Desktop); the first page offers "install for all users"
; (Program Files, asks for elevation). Unattended: setup.exe /VERYSILENT /CURRENTUSER or
; /ALLUSERS. The uninstaller (Settings > Apps, or the Start menu) removes the program but
; keeps the user's data folder (%LOCALAPPDATA%\orderchamp-desktop) and the token in Windows
; Credential Manager, so a reinstall finds everything again.
;
; Code signing (ready, off by default). To sign the installer and the uninstaller, define
; Sign and give ISCC a sign tool named "ocsign", for example with a certificate in the
; Windows certificate store:
;
;   iscc /DSign "/Socsign=signtool.exe sign /fd sha256 /tr http://timestamp.digicert.com /td sha256 /a $f" ^
;        packaging\windows\orderchamp-desktop.iss
;
; ($f is replaced by Inno Setup with the file to sign.) Sign the app's own executables
; before running ISCC (signtool sign ... dist\orderchamp-desktop\*.exe), so that the
; installed program is signed too; .github/workflows/build.yml shows both steps.

#define AppName "Orderchamp Desktop"
#define AppExe "orderchamp-desktop.exe"
#define AppPublisher "Orderchamp Desktop maintainers"

#ifndef AppVersion
  #define AppVersion GetEnv("ORDERCHAMP_VERSION")
#endif
#if AppVersion == ""
  #error Set ORDERCHAMP_VERSION (or pass /DAppVersion=x.y.z): the version from pyproject.toml
#endif
#ifndef AppSourceDir
  #define AppSourceDir "..\..\dist\orderchamp-desktop"
#endif

[Setup]
; Never change AppId: Windows recognises upgrades and the uninstaller by it.
AppId={{86C323E9-4825-47A4-A455-5A4430056FAB}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher={#AppPublisher}
VersionInfoVersion={#AppVersion}
VersionInfoProductName={#AppName}
VersionInfoDescription={#AppName} installer
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
; Per-user by default; the user (or /ALLUSERS on the command line) may choose all users.
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog commandline
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
; Qt 6 needs Windows 10 1809 or newer.
MinVersion=10.0.17763
OutputDir=..\..\dist
OutputBaseFilename=orderchamp-desktop-{#AppVersion}-windows-x64-setup
SetupIconFile=..\..\resources\icons\app\orderchamp-desktop.ico
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName}
WizardStyle=modern
Compression=lzma2/max
SolidCompression=yes
; Ask a running Orderchamp Desktop to close before files are replaced.
CloseApplications=yes
RestartApplications=no
#ifdef Sign
SignTool=ocsign
SignedUninstaller=yes
#endif

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"
Name: "dutch"; MessagesFile: "compiler:Languages\Dutch.isl"
Name: "german"; MessagesFile: "compiler:Languages\German.isl"
Name: "french"; MessagesFile: "compiler:Languages\French.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
; The whole PyInstaller one-folder build: both executables and _internal\.
Source: "{#AppSourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[InstallDelete]
; An upgrade replaces the bundled Python and Qt wholesale: no stale module from an older
; version may stay behind next to the new ones.
Type: filesandordirs; Name: "{app}\_internal"

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"; Comment: "Orderchamp wholesale orders, shipping, stock and invoices"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#StringChange(AppName, '&', '&&')}}"; Flags: nowait postinstall skipifsilent
