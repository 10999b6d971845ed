// Flow Service connections (Adobe Experience Platform) as code.
package flowservice
