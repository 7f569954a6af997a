//! Benchmarks a running swingfly server against generated libraries: cold and incremental scan
//! throughput, start-to-serving time, route latency under concurrent clients (HDR histograms),
//! and peak memory. All traffic goes to 127.0.0.1 and every loop is bounded in requests and time.

pub mod load;
pub mod process;
pub mod report;
pub mod run;
pub mod scan;
pub mod workload;
