using System.Runtime.InteropServices;

namespace MimoBackup.EfCore.Engine;

/// <summary>Makes renames survive a power cut: a rename is durable only once its folder is flushed.</summary>
internal static partial class FileDurability
{
    private const int ReadOnlyDirectory = 0x10000; // O_RDONLY | O_DIRECTORY on Linux

    /// <summary>Creates an empty file readable by its owner only; fails if the name is taken.</summary>
    public static void CreateOwnerOnly(string path)
    {
        using var _ = new FileStream(path, NewOwnerOnly());
    }

    /// <summary>Options that create a new file (never replacing one) readable and writable by its owner only.</summary>
    public static FileStreamOptions NewOwnerOnly(int bufferSize = 4096)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, BufferSize = bufferSize };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        return options;
    }

    public static void FlushFile(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
        stream.Flush(flushToDisk: true);
    }

    public static void FlushDirectory(string directory)
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // NTFS and APFS journal metadata themselves; only Linux needs the folder fsync.
        }

        var fd = Open(directory, ReadOnlyDirectory);
        if (fd < 0)
        {
            return; // Best effort: some file systems (and FUSE mounts) refuse to open folders.
        }

        try
        {
            _ = Fsync(fd);
        }
        finally
        {
            _ = Close(fd);
        }
    }

    /// <summary>Writes a small file under a temporary name, flushes it and renames it into place.</summary>
    public static void WriteAtomically(string path, ReadOnlySpan<byte> content)
    {
        var temporary = path + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp";
        try
        {
            CreateOwnerOnly(temporary);
            using (var stream = new FileStream(temporary, FileMode.Open, FileAccess.Write))
            {
                stream.Write(content);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
            FlushDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        }
        finally
        {
            DeleteQuietly(temporary);
        }
    }

    /// <summary>
    /// Copies <paramref name="source"/> to a new owner-only file and flushes it. <see cref="File.Copy(string, string)"/>
    /// would give the copy the source's mode, so a 0644 database would leave a 0644 copy of its data in a backup folder.
    /// </summary>
    public static void CopyOwnerOnly(string source, string destination)
    {
        CreateOwnerOnly(destination);
        using var input = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 20, FileOptions.SequentialScan);
        using var output = new FileStream(destination, FileMode.Open, FileAccess.Write, FileShare.None, 1 << 20);
        input.CopyTo(output, 1 << 20);
        output.Flush(flushToDisk: true);
    }

    /// <summary>
    /// Gives <paramref name="file"/> the mode, and where this process may (root, or a group it belongs to) the owner
    /// and group, of <paramref name="original"/>: a database restored or replaced by rename stays readable by whoever
    /// read it before (a web server running as another user).
    /// </summary>
    public static void KeepOwnership(string original, string file)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        File.SetUnixFileMode(file, File.GetUnixFileMode(original));
        if (Owner(original) is var (uid, gid) && Owner(file) is var (newUid, newGid) && (uid, gid) != (newUid, newGid))
        {
            // Best effort: chown to another user needs root, chgrp a group this user is in; either failing keeps ours.
            if (Chown(file, uid, gid) != 0)
            {
                _ = Chown(file, uint.MaxValue, gid);
            }
        }
    }

    /// <summary>
    /// Whether two paths name the same file (a symlink or hard link to it, another spelling): same device and inode,
    /// read with stat(2), which follows links. Where stat cannot be asked, the resolved full paths are compared.
    /// </summary>
    public static bool SameFile(string a, string b)
    {
        if (!File.Exists(a) || !File.Exists(b))
        {
            return false;
        }

        if (!OperatingSystem.IsWindows() && Identity(a) is { } first && Identity(b) is { } second)
        {
            return first == second;
        }

        return string.Equals(Resolved(a), Resolved(b), OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);
    }

    private static string Resolved(string path)
        => new FileInfo(path).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? Path.GetFullPath(path);

    /// <summary>Device and inode from stat(2): st_dev opens the struct and st_ino follows at byte 8 on Linux and macOS alike.</summary>
    private static unsafe (long Device, ulong Inode)? Identity(string path)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            return null;
        }

        var buffer = stackalloc byte[512]; // larger than any struct stat
        try
        {
            if (Stat(path, buffer) != 0)
            {
                return null;
            }
        }
        catch (EntryPointNotFoundException)
        {
            return null; // glibc before 2.33 exports stat only as __xstat.
        }

        var device = OperatingSystem.IsMacOS() ? *(int*)buffer : *(long*)buffer;
        return (device, *(ulong*)(buffer + 8));
    }

    /// <summary>Owner and group through the runtime's own stat (its FileStatus starts Flags, Mode, Uid, Gid).</summary>
    private static unsafe (uint Uid, uint Gid)? Owner(string path)
    {
        var status = stackalloc byte[512];
        try
        {
            return SystemNativeStat(path, status) == 0 ? (*(uint*)(status + 8), *(uint*)(status + 12)) : null;
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            return null;
        }
    }

    public static void DeleteQuietly(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Cleanup of our own temporary file; the caller is already reporting the real failure.
        }
    }

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "stat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static unsafe partial int Stat(string path, byte* buffer);

    [LibraryImport("libc", EntryPoint = "chown", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Chown(string path, uint uid, uint gid);

    [LibraryImport("libSystem.Native", EntryPoint = "SystemNative_Stat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static unsafe partial int SystemNativeStat(string path, byte* status);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
