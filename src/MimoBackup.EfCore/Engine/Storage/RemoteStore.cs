namespace MimoBackup.EfCore.Engine;

/// <summary>Opens <c>MimoRemote</c> as a backup store: the provider's objects, encrypted when a key is set.</summary>
internal static class RemoteStore
{
    /// <summary>
    /// The store at <paramref name="address"/>, written with <paramref name="key"/> (null: plain), whose audit lines go
    /// to the local <paramref name="backupFolder"/>. MIMO602 when the provider package is not loaded.
    /// </summary>
    public static ObjectBackupStore Open(RemoteAddress address, EncryptionKey? key, string backupFolder)
    {
        ArgumentNullException.ThrowIfNull(address);
        return new ObjectBackupStore(new EncryptedObjectStore(address.Open(), key), new LocalFolderStore(backupFolder));
    }
}
