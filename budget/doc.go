// Package budget owns the host memory budget: a weighted semaphore of bytes
// with a bounded FIFO wait queue and a queue timeout, shared by synchronous
// requests and job workers.
//
// It must not import net/http or any other package of this module.
package budget
