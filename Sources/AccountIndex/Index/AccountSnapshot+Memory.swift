/// Where an index's memory goes, table by table.
///
/// The figures are counted from the index's own allocations (every slab and directory node), not
/// read from the process: they hold for this snapshot alone, whatever else the process keeps, and
/// they are the same on every run for the same account. `malloc`'s own cost is estimated as glibc
/// rounds a request (8 bytes of header, 16-byte granules, 32 bytes at least).
///
/// ```swift
/// let report = index.snapshot.memory
/// print(report)   // contacts 81.2 MiB (1,000,000 records: 45.8 fixed, 30.9 words, ...), ...
/// ```
public struct IndexMemoryReport: Hashable, Sendable, CustomStringConvertible {
    /// One of the five tables: contacts, companies, leads, customers, phones (the stored numbers).
    public struct Table: Hashable, Sendable {
        public var name: String
        /// Records (for phones: postings, one per stored number and owner).
        public var records: Int
        /// The slabs that hold them.
        public var slabs: Int
        /// The records' fixed parts (for phones: the 8-byte keys and the 40-byte payloads).
        public var fixedBytes: Int
        /// The records' variable parts: link and key words.
        public var wordBytes: Int
        /// Slab headers, directory nodes and malloc's rounding and headers.
        public var overheadBytes: Int

        public var totalBytes: Int { fixedBytes + wordBytes + overheadBytes }
    }

    public var tables: [Table]

    public var totalBytes: Int { tables.reduce(0) { $0 + $1.totalBytes } }

    public var description: String {
        func mib(_ bytes: Int) -> String {
            let tenths = (bytes * 10 + (1 << 19)) >> 20
            return "\(tenths / 10).\(tenths % 10)"
        }
        let parts = tables.map {
            "\($0.name) \(mib($0.totalBytes)) MiB (\($0.records) records: \(mib($0.fixedBytes)) fixed, "
                + "\(mib($0.wordBytes)) words, \(mib($0.overheadBytes)) overhead)"
        }
        return "index \(mib(totalBytes)) MiB: " + parts.joined(separator: ", ")
    }
}

extension AccountSnapshot {
    /// The memory this snapshot's index holds, table by table (see ``IndexMemoryReport``).
    ///
    /// - Complexity: O(slabs): one visit of every slab's header and every directory node.
    public var memory: IndexMemoryReport {
        IndexMemoryReport(tables: [
            Self.table("contacts", state.contacts),
            Self.table("companies", state.companies),
            Self.table("leads", state.leads),
            Self.table("customers", state.customers),
            Self.table(
                "phones", state.phones.slabs, recordStride: MemoryLayout<UInt64>.stride,
                payloadWordsPerRecord: PostingSlab.payloadWords),
        ])
    }

    private static func table<Record: SlabRecord>(_ name: String, _ table: EntityTable<Record>) -> IndexMemoryReport.Table {
        self.table(name, table.slabs, recordStride: MemoryLayout<Record>.stride, payloadWordsPerRecord: 0)
    }

    /// `payloadWordsPerRecord` words of each record's pool count as its fixed part (the postings'
    /// payload), the rest as words.
    private static func table(
        _ name: String, _ directory: SlabDirectory, recordStride: Int, payloadWordsPerRecord: Int
    ) -> IndexMemoryReport.Table {
        var report = IndexMemoryReport.Table(
            name: name, records: 0, slabs: 0, fixedBytes: 0, wordBytes: 0, overheadBytes: 0)
        directory.forEach { slab in
            let count = Int(slab.load(as: UInt32.self))
            let poolCount = Int(slab.load(fromByteOffset: 4, as: UInt32.self))
            let payloadWords = count * payloadWordsPerRecord
            report.records += count
            report.slabs += 1
            report.fixedBytes += count * recordStride + payloadWords * 8
            report.wordBytes += (poolCount - payloadWords) * 8
            let requested = Slab<UInt64>.headerBytes + count * recordStride + poolCount * 8
            report.overheadBytes += mallocChunkBytes(requested) - requested + Slab<UInt64>.headerBytes
        }
        let nodes = directory.nodeCounts()
        report.overheadBytes += nodes.leaves * mallocChunkBytes(SlabDirectory.nodeBytes(isLeaf: true))
            + nodes.inner * mallocChunkBytes(SlabDirectory.nodeBytes(isLeaf: false))
        return report
    }

    /// What glibc's malloc takes for a request: 8 bytes of header, rounded up to 16, at least 32.
    private static func mallocChunkBytes(_ requested: Int) -> Int { max(32, (requested + 8 + 15) & ~15) }
}
