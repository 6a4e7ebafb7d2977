using Microsoft.EntityFrameworkCore;
using MimoSample.Model;

namespace MimoSample;

/// <summary>Mimo's memory store: chains of engrams, each with tags.</summary>
public sealed class MemoryContext(DbContextOptions<MemoryContext> options) : DbContext(options)
{
    public DbSet<MemoryChain> MemoryChains => Set<MemoryChain>();

    public DbSet<Engram> Engrams => Set<Engram>();

    public DbSet<Tag> Tags => Set<Tag>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<MemoryChain>(chain =>
        {
            chain.Property(c => c.Name).HasMaxLength(200);
            chain.HasIndex(c => c.Name).IsUnique();
        });

        modelBuilder.Entity<Engram>(engram =>
        {
            engram.HasOne(e => e.Chain).WithMany(c => c.Engrams).HasForeignKey(e => e.ChainId);
            engram.HasIndex(e => e.CreatedAt);
            engram.Property(e => e.Importance).HasDefaultValue(0.5);
        });

        modelBuilder.Entity<Tag>(tag =>
        {
            tag.Property(t => t.Label).HasMaxLength(50);
            tag.HasOne(t => t.Engram).WithMany(e => e.Tags).HasForeignKey(t => t.EngramId);
            tag.HasIndex(t => t.Label);
        });
    }
}
